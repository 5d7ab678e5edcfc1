-- TPC-H Q11 (validation parameters), tables qualified with their source
SELECT
    ps_partkey,
    sum(ps_supplycost * ps_availqty) AS value
FROM
    graph.partsupp,
    graph.supplier,
    crm.nation
WHERE
    ps_suppkey = s_suppkey
    AND s_nationkey = n_nationkey
    AND n_name = 'GERMANY'
GROUP BY
    ps_partkey
HAVING
    sum(ps_supplycost * ps_availqty) > (
        SELECT
            sum(ps_supplycost * ps_availqty) * 0.0001000000
        FROM
            graph.partsupp,
            graph.supplier,
            crm.nation
        WHERE
            ps_suppkey = s_suppkey
            AND s_nationkey = n_nationkey
            AND n_name = 'GERMANY')
ORDER BY
    value DESC;
