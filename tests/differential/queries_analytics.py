"""TPC-H-style analytics (multi-way joins, date ranges, CASE inside aggregates) and app reports."""

from __future__ import annotations

import datetime as dt

from .corpus import Query, q

REV = "l.l_extendedprice * (1 - l.l_discount)"

TPCH = [
    q("tpch_q1", f"""
SELECT l.l_returnflag, l.l_linestatus, sum(l.l_quantity) AS sum_qty,
       sum(l.l_extendedprice) AS sum_base_price, sum({REV}) AS sum_disc_price,
       sum({REV} * (1 + l.l_tax)) AS sum_charge, avg(l.l_quantity) AS avg_qty,
       avg(l.l_extendedprice) AS avg_price, avg(l.l_discount) AS avg_disc, count(*) AS count_order
FROM crm.lineitem l
WHERE l.l_shipdate <= DATE '1998-12-01' - INTERVAL 90 DAY
GROUP BY l.l_returnflag, l.l_linestatus
ORDER BY l.l_returnflag, l.l_linestatus""", ordered=True),
    q("tpch_q3", f"""
SELECT l.l_orderkey, sum({REV}) AS revenue, o.o_orderdate, o.o_shippriority
FROM crm.customer c, crm.orders o, crm.lineitem l
WHERE c.c_mktsegment = 'BUILDING' AND c.c_custkey = o.o_custkey
  AND l.l_orderkey = o.o_orderkey AND o.o_orderdate < DATE '1995-03-15'
  AND l.l_shipdate > DATE '1995-03-15'
GROUP BY l.l_orderkey, o.o_orderdate, o.o_shippriority
ORDER BY revenue DESC, o.o_orderdate, l.l_orderkey
LIMIT 10""", ordered=True),
    q("tpch_q3_param", f"""
SELECT l.l_orderkey, sum({REV}) AS revenue, o.o_orderdate
FROM crm.customer c JOIN crm.orders o ON c.c_custkey = o.o_custkey
JOIN crm.lineitem l ON l.l_orderkey = o.o_orderkey
WHERE c.c_mktsegment = $segment AND o.o_orderdate < $d AND l.l_shipdate > $d
GROUP BY l.l_orderkey, o.o_orderdate""", {"segment": "MACHINERY", "d": dt.date(1995, 3, 15)}),
    q("tpch_q4_like", """
SELECT o.o_orderpriority, count(DISTINCT o.o_orderkey) AS order_count
FROM crm.orders o JOIN crm.lineitem l ON l.l_orderkey = o.o_orderkey
WHERE o.o_orderdate >= DATE '1993-07-01' AND o.o_orderdate < DATE '1993-07-01' + INTERVAL '3' MONTH
  AND l.l_commitdate < l.l_receiptdate
GROUP BY o.o_orderpriority ORDER BY o.o_orderpriority""", ordered=True),
    q("tpch_q5", f"""
SELECT n.n_name, sum({REV}) AS revenue
FROM crm.customer c, crm.orders o, crm.lineitem l, crm.supplier s, crm.nation n, crm.region r
WHERE c.c_custkey = o.o_custkey AND l.l_orderkey = o.o_orderkey AND l.l_suppkey = s.s_suppkey
  AND c.c_nationkey = s.s_nationkey AND s.s_nationkey = n.n_nationkey
  AND n.n_regionkey = r.r_regionkey AND r.r_name = 'ASIA'
  AND o.o_orderdate >= DATE '1994-01-01' AND o.o_orderdate < DATE '1994-01-01' + INTERVAL '1' YEAR
GROUP BY n.n_name ORDER BY revenue DESC""", ordered=True),
    q("tpch_q5_joins", f"""
SELECT r.r_name, n.n_name, sum({REV}) AS revenue, count(*) AS lines
FROM crm.customer c
JOIN crm.orders o ON c.c_custkey = o.o_custkey
JOIN crm.lineitem l ON l.l_orderkey = o.o_orderkey
JOIN crm.supplier s ON l.l_suppkey = s.s_suppkey
JOIN crm.nation n ON s.s_nationkey = n.n_nationkey
JOIN crm.region r ON n.n_regionkey = r.r_regionkey
WHERE o.o_orderdate >= DATE '1995-01-01' AND o.o_orderdate < DATE '1996-01-01'
GROUP BY r.r_name, n.n_name""", ordered=False),
    q("tpch_q6", """
SELECT sum(l.l_extendedprice * l.l_discount) AS revenue
FROM crm.lineitem l
WHERE l.l_shipdate >= DATE '1994-01-01' AND l.l_shipdate < DATE '1994-01-01' + INTERVAL '1' YEAR
  AND l.l_discount BETWEEN 0.05 AND 0.07 AND l.l_quantity < 24"""),
    q("tpch_q6_params", """
SELECT sum(l.l_extendedprice * l.l_discount) AS revenue, count(*) AS n
FROM crm.lineitem l
WHERE l.l_shipdate >= $start AND l.l_shipdate < $stop
  AND l.l_discount BETWEEN $dlo AND $dhi AND l.l_quantity < $qty""",
      {"start": dt.date(1995, 1, 1), "stop": dt.date(1996, 1, 1), "dlo": 0.02, "dhi": 0.04,
       "qty": 30}),
    q("tpch_q7_like", f"""
SELECT n1.n_name AS supp_nation, n2.n_name AS cust_nation,
       extract(year FROM l.l_shipdate) AS l_year, sum({REV}) AS revenue
FROM crm.supplier s, crm.lineitem l, crm.orders o, crm.customer c, crm.nation n1, crm.nation n2
WHERE s.s_suppkey = l.l_suppkey AND o.o_orderkey = l.l_orderkey AND c.c_custkey = o.o_custkey
  AND s.s_nationkey = n1.n_nationkey AND c.c_nationkey = n2.n_nationkey
  AND ((n1.n_name = 'FRANCE' AND n2.n_name = 'GERMANY')
       OR (n1.n_name = 'GERMANY' AND n2.n_name = 'FRANCE'))
  AND l.l_shipdate BETWEEN DATE '1995-01-01' AND DATE '1996-12-31'
GROUP BY n1.n_name, n2.n_name, extract(year FROM l.l_shipdate)
ORDER BY supp_nation, cust_nation, l_year""", ordered=True),
    q("tpch_q8_like", """
SELECT x.o_year, sum(CASE WHEN x.nation = 'BRAZIL' THEN x.volume ELSE 0 END) / sum(x.volume)
       AS mkt_share
FROM (SELECT extract(year FROM o.o_orderdate) AS o_year,
             l.l_extendedprice * (1 - l.l_discount) AS volume, n2.n_name AS nation
      FROM crm.part p, crm.supplier s, crm.lineitem l, crm.orders o, crm.customer c,
           crm.nation n1, crm.nation n2, crm.region r
      WHERE p.p_partkey = l.l_partkey AND s.s_suppkey = l.l_suppkey
        AND l.l_orderkey = o.o_orderkey AND o.o_custkey = c.c_custkey
        AND c.c_nationkey = n1.n_nationkey AND n1.n_regionkey = r.r_regionkey
        AND r.r_name = 'AMERICA' AND s.s_nationkey = n2.n_nationkey
        AND o.o_orderdate BETWEEN DATE '1995-01-01' AND DATE '1996-12-31'
        AND p.p_type LIKE '%STEEL') AS x
GROUP BY x.o_year ORDER BY x.o_year""", ordered=True),
    q("tpch_q9_like", f"""
SELECT n.n_name AS nation, extract(year FROM o.o_orderdate) AS o_year,
       round(sum({REV} - l.l_quantity * 1.5), 2) AS profit
FROM crm.part p
JOIN crm.lineitem l ON p.p_partkey = l.l_partkey
JOIN crm.supplier s ON s.s_suppkey = l.l_suppkey
JOIN crm.orders o ON o.o_orderkey = l.l_orderkey
JOIN crm.nation n ON s.s_nationkey = n.n_nationkey
WHERE p.p_name LIKE '%green%'
GROUP BY n.n_name, extract(year FROM o.o_orderdate)
ORDER BY nation, o_year DESC""", ordered=True),
    q("tpch_q10", f"""
SELECT c.c_custkey, c.c_name, sum({REV}) AS revenue, c.c_acctbal, n.n_name, c.c_address,
       c.c_phone, c.c_comment
FROM crm.customer c
JOIN crm.orders o ON c.c_custkey = o.o_custkey
JOIN crm.lineitem l ON l.l_orderkey = o.o_orderkey
JOIN crm.nation n ON c.c_nationkey = n.n_nationkey
WHERE o.o_orderdate >= DATE '1993-10-01' AND o.o_orderdate < DATE '1993-10-01' + INTERVAL 3 MONTH
  AND l.l_returnflag = 'R'
GROUP BY c.c_custkey, c.c_name, c.c_acctbal, c.c_phone, n.n_name, c.c_address, c.c_comment
ORDER BY revenue DESC, c.c_custkey
LIMIT 20""", ordered=True),
    q("tpch_q12", """
SELECT l.l_shipmode,
       sum(CASE WHEN o.o_orderpriority = '1-URGENT' OR o.o_orderpriority = '2-HIGH'
                THEN 1 ELSE 0 END) AS high_line_count,
       sum(CASE WHEN o.o_orderpriority <> '1-URGENT' AND o.o_orderpriority <> '2-HIGH'
                THEN 1 ELSE 0 END) AS low_line_count
FROM crm.orders o, crm.lineitem l
WHERE o.o_orderkey = l.l_orderkey AND l.l_shipmode IN ('MAIL', 'SHIP')
  AND l.l_commitdate < l.l_receiptdate AND l.l_shipdate < l.l_commitdate
  AND l.l_receiptdate >= DATE '1994-01-01'
  AND l.l_receiptdate < DATE '1994-01-01' + INTERVAL '1' YEAR
GROUP BY l.l_shipmode ORDER BY l.l_shipmode""", ordered=True),
    q("tpch_q13_like", """
SELECT x.c_count, count(*) AS custdist
FROM (SELECT c.c_custkey AS c_custkey, count(o.o_orderkey) AS c_count
      FROM crm.customer c LEFT JOIN crm.orders o
        ON c.c_custkey = o.o_custkey AND o.o_comment NOT LIKE '%special%requests%'
      GROUP BY c.c_custkey) AS x
GROUP BY x.c_count ORDER BY custdist DESC, x.c_count DESC""", ordered=True),
    q("tpch_q14", f"""
SELECT 100.00 * sum(CASE WHEN p.p_type LIKE 'PROMO%' THEN {REV} ELSE 0 END)
       / sum({REV}) AS promo_revenue
FROM crm.lineitem l, crm.part p
WHERE l.l_partkey = p.p_partkey AND l.l_shipdate >= DATE '1995-09-01'
  AND l.l_shipdate < DATE '1995-09-01' + INTERVAL '1' MONTH"""),
    q("tpch_q15_like", f"""
SELECT s.s_suppkey, s.s_name, s.s_phone, rev.total_revenue
FROM crm.supplier s
JOIN (SELECT l.l_suppkey AS supplier_no, sum({REV}) AS total_revenue
      FROM crm.lineitem l
      WHERE l.l_shipdate >= DATE '1996-01-01'
        AND l.l_shipdate < DATE '1996-01-01' + INTERVAL '3' MONTH
      GROUP BY l.l_suppkey) AS rev ON s.s_suppkey = rev.supplier_no
ORDER BY rev.total_revenue DESC, s.s_suppkey LIMIT 3""", ordered=True),
    q("tpch_q16_like", """
SELECT p.p_brand, p.p_type, p.p_size, count(DISTINCT l.l_suppkey) AS supplier_cnt
FROM crm.part p JOIN crm.lineitem l ON p.p_partkey = l.l_partkey
JOIN crm.supplier s ON s.s_suppkey = l.l_suppkey
WHERE p.p_brand <> 'Brand#45' AND p.p_type NOT LIKE 'MEDIUM POLISHED%'
  AND p.p_size IN (49, 14, 23, 45, 19, 3, 36, 9)
  AND s.s_comment NOT LIKE '%Customer%Complaints%'
GROUP BY p.p_brand, p.p_type, p.p_size
ORDER BY supplier_cnt DESC, p.p_brand, p.p_type, p.p_size""", ordered=True),
    q("tpch_q17_like", """
SELECT sum(l.l_extendedprice) / 7.0 AS avg_yearly, count(*) AS n
FROM crm.lineitem l
JOIN crm.part p ON p.p_partkey = l.l_partkey
JOIN (SELECT l2.l_partkey AS pk, 0.5 * avg(l2.l_quantity) AS lim
      FROM crm.lineitem l2 GROUP BY l2.l_partkey) AS x ON x.pk = l.l_partkey
WHERE p.p_brand IN ('Brand#23', 'Brand#11') AND l.l_quantity < x.lim"""),
    q("tpch_q18_like", """
SELECT c.c_name, c.c_custkey, o.o_orderkey, o.o_orderdate, o.o_totalprice, big.qty
FROM crm.customer c
JOIN crm.orders o ON c.c_custkey = o.o_custkey
JOIN (SELECT l.l_orderkey AS ok, sum(l.l_quantity) AS qty FROM crm.lineitem l
      GROUP BY l.l_orderkey HAVING sum(l.l_quantity) > 250) AS big ON big.ok = o.o_orderkey
ORDER BY o.o_totalprice DESC, o.o_orderdate, o.o_orderkey
LIMIT 25""", ordered=True),
    q("tpch_q19_like", f"""
SELECT sum({REV}) AS revenue
FROM crm.lineitem l, crm.part p
WHERE p.p_partkey = l.l_partkey AND l.l_shipinstruct = 'DELIVER IN PERSON'
  AND ((p.p_brand = 'Brand#12' AND p.p_container IN ('SM CASE', 'SM BOX')
        AND l.l_quantity BETWEEN 1 AND 11 AND p.p_size BETWEEN 1 AND 5)
    OR (p.p_brand = 'Brand#23' AND p.p_container IN ('MED BAG', 'MED BOX')
        AND l.l_quantity BETWEEN 10 AND 20 AND p.p_size BETWEEN 1 AND 10)
    OR (p.p_brand = 'Brand#34' AND p.p_container IN ('LG CASE', 'LG PACK')
        AND l.l_quantity BETWEEN 20 AND 30 AND p.p_size BETWEEN 1 AND 15))"""),
    q("tpch_q22_like", """
SELECT substr(c.c_phone, 1, 2) AS cntrycode, count(*) AS numcust, sum(c.c_acctbal) AS totacctbal
FROM crm.customer c LEFT JOIN crm.orders o ON o.o_custkey = c.c_custkey
WHERE substr(c.c_phone, 1, 2) IN ('13', '31', '23', '29', '30', '18', '17')
  AND c.c_acctbal > 5000 AND o.o_orderkey IS NULL
GROUP BY substr(c.c_phone, 1, 2) ORDER BY cntrycode""", ordered=True),
]

REPORTS = [
    q("report_orders_per_year", "SELECT extract(year FROM o.o_orderdate) AS y, o.o_orderpriority, "
      "count(*) AS n, round(avg(o.o_totalprice), 2) AS avg_price FROM crm.orders o "
      "GROUP BY extract(year FROM o.o_orderdate), o.o_orderpriority ORDER BY y, o.o_orderpriority",
      ordered=True),
    q("report_segment_nation", "SELECT n.n_name, c.c_mktsegment, count(*) AS n, "
      "min(c.c_acctbal) AS lo, max(c.c_acctbal) AS hi FROM crm.customer c "
      "JOIN crm.nation n ON n.n_nationkey = c.c_nationkey GROUP BY n.n_name, c.c_mktsegment"),
    q("report_region_suppliers", "SELECT r.r_name, count(s.s_suppkey) AS suppliers, "
      "sum(s.s_acctbal) AS bal FROM crm.region r LEFT JOIN crm.nation n "
      "ON n.n_regionkey = r.r_regionkey LEFT JOIN crm.supplier s ON s.s_nationkey = n.n_nationkey "
      "GROUP BY r.r_name ORDER BY r.r_name", ordered=True),
    q("report_brand_revenue", f"SELECT p.p_brand, sum({REV}) AS revenue, "
      "count(DISTINCT l.l_orderkey) AS orders FROM crm.lineitem l JOIN crm.part p "
      "ON p.p_partkey = l.l_partkey WHERE p.p_container IS NOT NULL GROUP BY p.p_brand "
      "HAVING sum(l.l_quantity) > 100 ORDER BY revenue DESC, p.p_brand", ordered=True),
    q("report_late_shipments", "SELECT l.l_shipmode, count(*) AS late FROM crm.lineitem l "
      "WHERE l.l_receiptdate > l.l_commitdate + INTERVAL '14' DAY GROUP BY l.l_shipmode"),
    q("report_cast_decimal_totals", "SELECT o.o_orderstatus, "
      "CAST(sum(o.o_totalprice) AS DECIMAL(18,2)) AS total, count(*) AS n "
      "FROM crm.orders o GROUP BY o.o_orderstatus"),
    q("report_team_workload", """
SELECT coalesce(a.team, '(none)') AS team, count(t.id) AS open_tasks,
       round(avg(t.estimate), 2) AS avg_est, min(t.due) AS next_due
FROM crm.agents a LEFT JOIN crm.tasks t
  ON t.agent_id = a.id AND t.status IN ('pending', 'in_progress', 'blocked')
WHERE a.active = TRUE
GROUP BY coalesce(a.team, '(none)')
ORDER BY open_tasks DESC, team""", ordered=True),
    q("report_overdue", """
SELECT a.name, t.title, t.due
FROM crm.tasks t JOIN crm.agents a ON a.id = t.agent_id
WHERE t.due < $today AND (t.status IS NULL OR t.status <> 'done') AND a.level >= $lvl
ORDER BY t.due, t.id""", {"today": dt.date(2023, 3, 1), "lvl": 3}, ordered=True),
    q("report_level_buckets", """
SELECT CASE WHEN a.level IS NULL THEN 'unknown' WHEN a.level <= 2 THEN 'junior'
            ELSE 'senior' END AS grade,
       count(DISTINCT a.id) AS agents, count(t.id) AS tasks,
       sum(CASE WHEN t.status = 'done' THEN t.estimate ELSE 0 END) AS done_hours
FROM crm.agents a LEFT JOIN crm.tasks t ON t.agent_id = a.id
GROUP BY CASE WHEN a.level IS NULL THEN 'unknown' WHEN a.level <= 2 THEN 'junior'
              ELSE 'senior' END"""),
    q("report_hire_year", """
SELECT extract(year FROM a.hired) AS hire_year, count(*) AS hires, avg(a.score) AS avg_score
FROM crm.agents a
WHERE a.hired >= DATE '2016-01-01' - INTERVAL '1' YEAR
GROUP BY extract(year FROM a.hired)
HAVING count(*) > 2
ORDER BY hire_year DESC""", ordered=True),
    q("report_tenure_at_due", """
SELECT t.id, a.id AS agent, a.hired + INTERVAL '2' YEAR AS review_at
FROM crm.tasks t JOIN crm.agents a ON a.id = t.agent_id
WHERE t.due > a.hired + INTERVAL '8' YEAR"""),
    q("report_customer_orders_left", """
SELECT c.c_custkey, count(o.o_orderkey) AS orders, coalesce(sum(o.o_totalprice), 0) AS spent
FROM crm.customer c LEFT JOIN crm.orders o ON o.o_custkey = c.c_custkey
WHERE c.c_nationkey = 7
GROUP BY c.c_custkey"""),
    q("report_monthly_lineitem", """
SELECT extract(year FROM l.l_shipdate) AS y, extract(month FROM l.l_shipdate) AS m,
       count(*) AS n, sum(l.l_quantity) AS qty
FROM crm.lineitem l
WHERE l.l_shipdate >= DATE '1997-01-01' AND l.l_shipdate < DATE '1997-01-01' + INTERVAL '6' MONTH
GROUP BY extract(year FROM l.l_shipdate), extract(month FROM l.l_shipdate)
ORDER BY y, m""", ordered=True),
    q("report_nation_share", f"""
SELECT x.n_name, x.rev, x.rev / t.total AS share
FROM (SELECT n.n_name AS n_name, sum({REV}) AS rev
      FROM crm.lineitem l JOIN crm.supplier s ON s.s_suppkey = l.l_suppkey
      JOIN crm.nation n ON n.n_nationkey = s.s_nationkey GROUP BY n.n_name) AS x,
     (SELECT sum({REV}) AS total FROM crm.lineitem l) AS t
ORDER BY share DESC, x.n_name""", ordered=True),
]

QUERIES: list[Query] = TPCH + REPORTS
