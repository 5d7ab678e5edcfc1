-- TPC-H Q6 (validation parameters), tables qualified with their source
SELECT
    sum(l_extendedprice * l_discount) AS revenue
FROM
    lake.lineitem
WHERE
    l_shipdate >= CAST('1994-01-01' AS date)
    AND l_shipdate < CAST('1995-01-01' AS date)
    AND l_discount BETWEEN 0.05
    AND 0.07
    AND l_quantity < 24;
