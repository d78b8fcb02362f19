"""The references of the scale benchmark: plain SQL computing the figures each page shows.

Each reference is what a careful engineer would write by hand for the same numbers, with
no ORM, no template and no Python arithmetic beyond fetching the rows: one statement per
family of figures the page shows (a page showing pipeline, goals and a trend needs all
three). ``run`` executes them in order and fetches every row, so a reference pays for its
round trips as ours does. Parameters come from ``Context`` (tests/bench/bench_scale.py).
"""

from django.db import connection

# --- Shared families ----------------------------------------------------------------------------

# Per rep and metric, what was logged in [start, end] (the week grid, the totals).
LOGGED = """
    SELECT rep_id, metric_id, SUM(quantity)
    FROM activities_activity
    WHERE rep_id = ANY(%(reps)s) AND day BETWEEN %(start)s AND %(end)s
    GROUP BY rep_id, metric_id
"""

# The plans of a week with their targets (status counts, planned per cell).
WEEK_PLANS = """
    SELECT p.rep_id, p.status, p.submitted_at, t.metric_id, t.planned
    FROM plans_weeklyplan p LEFT JOIN plans_plantarget t ON t.plan_id = p.id
    WHERE p.rep_id = ANY(%(reps)s) AND p.week_start = %(week)s
"""

# Goals of the reps (and of their team) running on as_of, each with its actual to date.
GOALS = """
    SELECT g.id, g.scope, g.target, g.stretch_target, g.start, g."end",
           COALESCE((
               SELECT SUM(a.quantity) FROM activities_activity a
               WHERE a.metric_id = g.metric_id
                 AND a.day BETWEEN g.start AND LEAST(g."end", %(as_of)s)
                 AND a.rep_id = ANY(CASE WHEN g.scope = 'rep' THEN ARRAY[g.rep_id]
                                         ELSE %(members)s END)
           ), 0) AS actual
    FROM plans_goal g
    WHERE g.start <= %(goals_end)s AND g."end" >= %(goals_start)s
      AND ((g.scope = 'rep' AND g.rep_id = ANY(%(reps)s))
           OR (g.scope = 'team' AND g.team_id = %(team)s))
"""

# Weekly trend: logged per metric and week over the trend weeks, and planned per week.
TREND_LOGGED = """
    SELECT metric_id, date_trunc('week', day)::date, SUM(quantity)
    FROM activities_activity
    WHERE rep_id = ANY(%(members)s) AND day BETWEEN %(trend_start)s AND %(as_of)s
    GROUP BY 1, 2
"""
TREND_PLANNED = """
    SELECT t.metric_id, p.week_start, SUM(t.planned)
    FROM plans_plantarget t JOIN plans_weeklyplan p ON p.id = t.plan_id
    WHERE p.rep_id = ANY(%(reps)s) AND p.week_start BETWEEN %(trend_start)s AND %(as_of)s
      AND p.submitted_at IS NOT NULL
    GROUP BY 1, 2
"""

# Consistency: each rep's mean attainment of their monthly goals, month by month, 12 months.
CONSISTENCY = """
    SELECT g.rep_id, g.start,
           AVG(100 * COALESCE((
               SELECT SUM(a.quantity) FROM activities_activity a
               WHERE a.rep_id = g.rep_id AND a.metric_id = g.metric_id
                 AND a.day BETWEEN g.start AND g."end"
           ), 0) / NULLIF(g.target, 0))
    FROM plans_goal g
    WHERE g.scope = 'rep' AND g.period = 'month' AND g.rep_id = ANY(%(reps)s)
      AND g.start BETWEEN %(history_start)s AND %(history_end)s
    GROUP BY 1, 2
"""

# Sales value per rep, month to date (the leaderboard).
SALES_VALUE = """
    SELECT a.rep_id, SUM(a.quantity)
    FROM activities_activity a JOIN activities_metric m ON m.id = a.metric_id
    WHERE m.key = 'sales-value' AND a.rep_id = ANY(%(reps)s)
      AND a.day BETWEEN %(month_start)s AND %(as_of)s
    GROUP BY 1
"""

# Stage conversion (entered, advanced) and outcomes of the deals of ``members`` this month.
FUNNEL_ENTERED = """
    SELECT t.to_stage_id, COUNT(DISTINCT t.deal_id),
           COUNT(DISTINCT t.deal_id) FILTER (WHERE EXISTS (
               SELECT 1 FROM activities_stagetransition n
               JOIN activities_stage ns ON ns.id = n.to_stage_id
               WHERE n.deal_id = t.deal_id AND n.at >= t.at
                 AND ns.position > s.position AND ns.kind <> 'lost'))
    FROM activities_stagetransition t
    JOIN activities_deal d ON d.id = t.deal_id
    JOIN activities_stage s ON s.id = t.to_stage_id
    WHERE d.owner_id = ANY(%(members)s) AND s.kind <> 'lost'
      AND t.at >= %(funnel_begins)s AND t.at < %(funnel_ends)s
    GROUP BY 1
"""
OUTCOMES = """
    SELECT s.kind, COUNT(*), SUM(d.amount), AVG(d.closed_on - d.created_at::date)
    FROM activities_deal d JOIN activities_stage s ON s.id = d.stage_id
    WHERE d.owner_id = ANY(%(members)s) AND d.closed_on BETWEEN %(funnel_start)s AND %(funnel_end)s
    GROUP BY 1
"""

# Open deals by stage: count, value, weighted value.
PIPELINE = """
    SELECT d.stage_id, COUNT(*), SUM(d.amount),
           SUM(d.amount * COALESCE(d.probability, s.probability) / 100)
    FROM activities_deal d JOIN activities_stage s ON s.id = d.stage_id
    WHERE d.owner_id = ANY(%(members)s) AND s.kind = 'open'
    GROUP BY 1
"""

# The goals page: the first page (25, top-down) of the goals a manager sees running today
# (company, their division, their team, their reps), each with its actual; the count; and
# the rolled-up targets of each parent goal's children.
GOALS_PAGE = """
    WITH page AS (
        SELECT g.* FROM plans_goal g
        WHERE g.start <= %(as_of)s AND g."end" >= %(as_of)s
          AND (g.scope = 'company'
               OR (g.scope = 'division' AND g.division_id = %(division)s)
               OR (g.scope = 'team' AND g.team_id = %(team)s)
               OR (g.scope = 'rep' AND g.rep_id = ANY(%(reps)s)))
        ORDER BY CASE g.scope WHEN 'company' THEN 0 WHEN 'division' THEN 1
                              WHEN 'team' THEN 2 ELSE 3 END, g.metric_id, g.id
        LIMIT 25
    )
    SELECT p.id, p.scope, p.target, p.stretch_target, COALESCE((
        SELECT SUM(a.quantity) FROM activities_activity a
        WHERE a.metric_id = p.metric_id AND a.day BETWEEN p.start AND LEAST(p."end", %(as_of)s)
          AND a.rep_id = ANY(ARRAY(
              SELECT u.id FROM salesmgmt_user u LEFT JOIN salesmgmt_team t ON t.id = u.team_id
              WHERE u.role = 'rep' AND (p.scope = 'company'
                    OR (p.scope = 'rep' AND u.id = p.rep_id)
                    OR (p.scope = 'team' AND u.team_id = p.team_id)
                    OR (p.scope = 'division' AND t.division_id = p.division_id))))
    ), 0)
    FROM page p
"""
GOALS_COUNT = """
    SELECT COUNT(*) FROM plans_goal g
    WHERE g.start <= %(as_of)s AND g."end" >= %(as_of)s
      AND (g.scope = 'company' OR (g.scope = 'division' AND g.division_id = %(division)s)
           OR (g.scope = 'team' AND g.team_id = %(team)s)
           OR (g.scope = 'rep' AND g.rep_id = ANY(%(reps)s)))
"""
GOALS_ROLLUP = """
    SELECT g.scope, t.division_id, u.team_id, g.metric_id, g.period, g.start,
           SUM(g.target), COUNT(*)
    FROM plans_goal g
    LEFT JOIN salesmgmt_user u ON u.id = g.rep_id LEFT JOIN salesmgmt_team t ON t.id = g.team_id
    WHERE g.start <= %(as_of)s AND g."end" >= %(as_of)s AND g.scope IN ('division', 'team', 'rep')
    GROUP BY 1, 2, 3, 4, 5, 6
"""

ALERTS = """
    SELECT id, severity, opened_on, actual, expected, rep_id, team_id, goal_id, kpi_id
    FROM reporting_deviationepisode
    WHERE closed_on IS NULL AND (rep_id = ANY(%(reps)s) OR team_id = %(team)s)
"""

# --- Company-wide families ----------------------------------------------------------------------

COMPANY_TOTALS = """
    SELECT metric_id,
           SUM(quantity) FILTER (WHERE day BETWEEN %(start)s AND %(end)s),
           SUM(quantity) FILTER (WHERE day BETWEEN %(previous_start)s AND %(previous_end)s)
    FROM activities_activity
    WHERE day BETWEEN %(previous_start)s AND %(end)s
    GROUP BY 1
"""
BY_DIVISION = """
    SELECT t.division_id, SUM(a.quantity)
    FROM activities_activity a
    JOIN salesmgmt_user u ON u.id = a.rep_id JOIN salesmgmt_team t ON t.id = u.team_id
    WHERE a.metric_id = %(metric)s AND a.day BETWEEN %(start)s AND %(end)s
    GROUP BY 1
"""
BY_PRODUCT_AND_CHANNEL = """
    SELECT product_id, channel_id, SUM(quantity)
    FROM activities_activity
    WHERE metric_id = %(metric)s AND day BETWEEN %(start)s AND %(end)s
    GROUP BY GROUPING SETS ((product_id), (channel_id))
"""
# Days (31), weeks, months and the fiscal year against the year before, from the day series.
SERIES = """
    SELECT day, SUM(quantity)
    FROM activities_activity
    WHERE metric_id = %(metric)s AND day BETWEEN %(series_start)s AND %(end)s
    GROUP BY 1
"""
TEAM_RANKING = """
    SELECT u.team_id, SUM(a.quantity), COUNT(DISTINCT a.rep_id)
    FROM activities_activity a JOIN salesmgmt_user u ON u.id = a.rep_id
    WHERE a.metric_id = %(metric)s AND a.day BETWEEN %(start)s AND %(end)s
    GROUP BY 1
"""
TEAM_ATTAINMENT = """
    SELECT u.team_id,
           AVG(100 * COALESCE((
               SELECT SUM(a.quantity) FROM activities_activity a
               WHERE a.rep_id = g.rep_id AND a.metric_id = g.metric_id
                 AND a.day BETWEEN g.start AND LEAST(g."end", %(as_of)s)
           ), 0) / NULLIF(g.target, 0))
    FROM plans_goal g JOIN salesmgmt_user u ON u.id = g.rep_id
    WHERE g.scope = 'rep' AND g.period = 'month' AND g.start = %(month_start)s
    GROUP BY 1
"""
COMPANY_GOALS = """
    SELECT g.id, g.target,
           COALESCE((
               SELECT SUM(a.quantity) FROM activities_activity a
               JOIN salesmgmt_user u ON u.id = a.rep_id
               LEFT JOIN salesmgmt_team t ON t.id = u.team_id
               WHERE a.metric_id = g.metric_id AND u.role = 'rep'
                 AND a.day BETWEEN g.start AND LEAST(g."end", %(as_of)s)
                 AND (g.scope = 'company' OR t.division_id = g.division_id)
           ), 0)
    FROM plans_goal g
    WHERE g.scope IN ('company', 'division')
      AND g.start <= %(goals_end)s AND g."end" >= %(goals_start)s
"""

REPORT_HEADLINES = """
    SELECT metric_id,
           SUM(quantity) FILTER (WHERE day BETWEEN %(start)s AND %(end)s),
           SUM(quantity) FILTER (WHERE day BETWEEN %(previous_start)s AND %(previous_end)s),
           SUM(quantity) FILTER (WHERE day BETWEEN %(last_year_start)s AND %(last_year_end)s)
    FROM activities_activity
    WHERE day BETWEEN %(previous_start)s AND %(end)s
       OR day BETWEEN %(last_year_start)s AND %(last_year_end)s
    GROUP BY 1
"""
REPORT_DEALS = """
    SELECT CASE WHEN d.closed_on BETWEEN %(start)s AND %(end)s THEN 'current'
                WHEN d.closed_on BETWEEN %(previous_start)s AND %(previous_end)s THEN 'previous'
                ELSE 'last_year' END,
           s.kind, COUNT(*), SUM(d.amount)
    FROM activities_deal d JOIN activities_stage s ON s.id = d.stage_id
    WHERE d.closed_on BETWEEN %(previous_start)s AND %(end)s
       OR d.closed_on BETWEEN %(last_year_start)s AND %(last_year_end)s
    GROUP BY 1, 2
"""
NEW_CUSTOMERS = """
    SELECT COUNT(*) FILTER (WHERE created_at >= %(begins)s AND created_at < %(ends)s),
           COUNT(*) FILTER (WHERE created_at >= %(previous_begins)s AND created_at < %(begins)s)
    FROM activities_customer
    WHERE created_at >= %(previous_begins)s AND created_at < %(ends)s
"""
REPORT_KPIS = """
    SELECT
      (SELECT COUNT(*) FILTER (WHERE submitted_at IS NOT NULL)::numeric / NULLIF(COUNT(*), 0)
       FROM plans_weeklyplan WHERE week_start BETWEEN %(start)s AND %(end)s),
      (SELECT COUNT(*) FILTER (WHERE done_at <= due_at)::numeric / NULLIF(COUNT(*), 0)
       FROM activities_task WHERE due_at >= %(begins)s AND due_at < %(ends)s),
      (SELECT SUM(t.planned) FROM plans_plantarget t JOIN plans_weeklyplan p ON p.id = t.plan_id
       WHERE p.week_start BETWEEN %(start)s AND %(end)s AND p.submitted_at IS NOT NULL),
      -- plan attainment's other half: what was logged against each counted target
      (SELECT SUM(a.quantity) FROM plans_plantarget t
       JOIN plans_weeklyplan p ON p.id = t.plan_id
       JOIN activities_metric m ON m.id = t.metric_id AND m.unit = 'count'
       JOIN activities_activity a ON a.rep_id = p.rep_id AND a.metric_id = t.metric_id
        AND a.day BETWEEN p.week_start AND p.week_start + 6 AND a.day <= %(end)s
       WHERE p.week_start BETWEEN %(start)s AND %(end)s AND p.submitted_at IS NOT NULL)
"""
LOST_REASONS = """
    SELECT d.lost_reason_id, COUNT(*), SUM(d.amount)
    FROM activities_deal d JOIN activities_stage s ON s.id = d.stage_id
    WHERE s.kind = 'lost' AND d.closed_on BETWEEN %(start)s AND %(end)s
    GROUP BY 1
"""
BIGGEST_WINS = """
    SELECT d.id, d.title, d.amount, c.name, u.first_name, u.last_name
    FROM activities_deal d JOIN activities_stage s ON s.id = d.stage_id
    JOIN activities_customer c ON c.id = d.customer_id JOIN salesmgmt_user u ON u.id = d.owner_id
    WHERE s.kind = 'won' AND d.closed_on BETWEEN %(start)s AND %(end)s
    ORDER BY d.amount DESC, d.id LIMIT 5
"""
FORECAST = """
    SELECT
      COUNT(*) FILTER (WHERE s.kind = 'open' AND d.expected_close BETWEEN %(month_start)s AND %(month_end)s),
      SUM(d.amount * COALESCE(d.probability, s.probability) / 100)
        FILTER (WHERE s.kind = 'open' AND d.expected_close BETWEEN %(month_start)s AND %(month_end)s),
      SUM(d.amount)
        FILTER (WHERE s.kind = 'open' AND d.expected_close BETWEEN %(quarter_start)s AND %(quarter_end)s),
      SUM(d.amount) FILTER (WHERE s.kind = 'won' AND d.closed_on BETWEEN %(quarter_start)s AND %(today)s)
    FROM activities_deal d JOIN activities_stage s ON s.id = d.stage_id
"""
ALL_PIPELINE = """
    SELECT d.stage_id, COUNT(*), SUM(d.amount),
           SUM(d.amount * COALESCE(d.probability, s.probability) / 100)
    FROM activities_deal d JOIN activities_stage s ON s.id = d.stage_id
    WHERE s.kind = 'open'
    GROUP BY 1
"""

# --- Lists --------------------------------------------------------------------------------------

PIPELINE_BOARD = """
    SELECT * FROM (
      SELECT d.id, d.title, d.amount, d.expected_close, d.stage_id, c.name, u.first_name,
             u.last_name, ROW_NUMBER() OVER (PARTITION BY d.stage_id
                                             ORDER BY d.expected_close, d.id) AS n,
             COUNT(*) OVER (PARTITION BY d.stage_id), SUM(d.amount) OVER (PARTITION BY d.stage_id)
      FROM activities_deal d JOIN activities_stage s ON s.id = d.stage_id
      JOIN activities_customer c ON c.id = d.customer_id JOIN salesmgmt_user u ON u.id = d.owner_id
      WHERE d.owner_id = ANY(%(members)s) AND s.kind = 'open' AND d.pipeline_id = %(pipeline)s
    ) cards WHERE n <= 20
"""
DEAL_LIST = """
    SELECT d.id, d.title, d.amount, d.expected_close, d.probability, s.name, s.kind,
           c.name, u.first_name, u.last_name
    FROM activities_deal d JOIN activities_stage s ON s.id = d.stage_id
    JOIN activities_customer c ON c.id = d.customer_id JOIN salesmgmt_user u ON u.id = d.owner_id
    ORDER BY s.kind <> 'open', d.expected_close, d.id LIMIT 50
"""
DEAL_COUNT = "SELECT COUNT(*), SUM(amount) FROM activities_deal"
CUSTOMER_LIST = """
    SELECT c.id, c.name, c.status, c.segment, c.city, u.first_name, u.last_name,
           (SELECT COUNT(*) FROM activities_deal d JOIN activities_stage s ON s.id = d.stage_id
            WHERE d.customer_id = c.id AND s.kind = 'open'),
           (SELECT SUM(d.amount) FROM activities_deal d JOIN activities_stage s
            ON s.id = d.stage_id WHERE d.customer_id = c.id AND s.kind = 'open'),
           (SELECT MAX(a.day) FROM activities_activity a WHERE a.customer_id = c.id)
    FROM activities_customer c LEFT JOIN salesmgmt_user u ON u.id = c.owner_id
    ORDER BY c.name, c.id LIMIT 50
"""
CUSTOMER_COUNT = "SELECT status, COUNT(*) FROM activities_customer GROUP BY 1"
OPEN_DEALS = """
    SELECT COUNT(*), SUM(d.amount)
    FROM activities_deal d JOIN activities_stage s ON s.id = d.stage_id
    WHERE s.kind = 'open'
"""

# The funnel's stage figures in one pass (entered, advanced, stays ended and their total
# length per stage), window functions over each deal's history: the plain way to write
# them. (Written as a correlated subquery per transition for each family, the company's
# year took 3.4 s.)
STAGE_FLOW = """
    SELECT stage, COUNT(*) FILTER (WHERE entered), COUNT(*) FILTER (WHERE advanced),
           SUM(stays), SUM(spent) / NULLIF(SUM(stays), 0)
    FROM (
        SELECT deal_id, to_stage_id AS stage,
               bool_or(at >= %(funnel_begins)s AND at < %(funnel_ends)s AND kind <> 'lost')
                   AS entered,
               bool_or(at >= %(funnel_begins)s AND at < %(funnel_ends)s AND kind <> 'lost'
                       AND furthest > position) AS advanced,
               COUNT(*) FILTER (WHERE kind = 'open' AND left_at >= %(funnel_begins)s
                                  AND left_at < %(funnel_ends)s) AS stays,
               SUM(left_at - at) FILTER (WHERE kind = 'open' AND left_at >= %(funnel_begins)s
                                           AND left_at < %(funnel_ends)s) AS spent
        FROM (
            SELECT t.deal_id, t.to_stage_id, t.at, s.kind, s.position,
                   LEAD(t.at) OVER (PARTITION BY t.deal_id ORDER BY t.at, t.id) AS left_at,
                   MAX(s.position) FILTER (WHERE s.kind <> 'lost') OVER (
                       PARTITION BY t.deal_id ORDER BY t.at
                       RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS furthest
            FROM activities_stagetransition t
            JOIN activities_stage s ON s.id = t.to_stage_id
            JOIN activities_deal d ON d.id = t.deal_id
            WHERE d.owner_id = ANY(%(members)s) AND d.pipeline_id = %(pipeline)s
        ) history
        GROUP BY 1, 2
    ) per_deal
    GROUP BY 1
"""

# The monthly review job's reference: one INSERT..SELECT of per-rep per-metric month totals.
REVIEW_TOTALS = """
    INSERT INTO bench_review_totals (rep_id, metric_id, total)
    SELECT rep_id, metric_id, SUM(quantity)
    FROM activities_activity
    WHERE day BETWEEN %(review_start)s AND %(review_end)s
    GROUP BY rep_id, metric_id
"""

REFERENCES = {
    "team_dashboard": [
        LOGGED,
        WEEK_PLANS,
        GOALS,
        TREND_LOGGED,
        TREND_PLANNED,
        CONSISTENCY,
        SALES_VALUE,
        FUNNEL_ENTERED,
        OUTCOMES,
        ALERTS,
    ],
    "rep_dashboard": [
        LOGGED,
        WEEK_PLANS,
        GOALS,
        TREND_LOGGED,
        TREND_PLANNED,
        CONSISTENCY,
        SALES_VALUE,
        PIPELINE,
        OUTCOMES,
        ALERTS,
    ],
    "goals_page": [GOALS_PAGE, GOALS_COUNT, GOALS_ROLLUP],
    "company_dashboard": [
        COMPANY_TOTALS,
        BY_DIVISION,
        BY_PRODUCT_AND_CHANNEL,
        SERIES,
        TEAM_RANKING,
        TEAM_ATTAINMENT,
        COMPANY_GOALS,
    ],
    "company_report": [
        REPORT_HEADLINES,
        REPORT_DEALS,
        NEW_CUSTOMERS,
        COMPANY_GOALS,
        REPORT_KPIS,
        ALL_PIPELINE,
        FORECAST,
        LOST_REASONS,
        BIGGEST_WINS,
        TEAM_RANKING,
        TEAM_ATTAINMENT,
    ],
    "pipeline_board": [PIPELINE_BOARD],
    "deal_list": [DEAL_LIST, DEAL_COUNT],
    "funnel_company": [STAGE_FLOW, OUTCOMES, FORECAST],
    "customer_list": [CUSTOMER_LIST, CUSTOMER_COUNT, OPEN_DEALS],
}


def run(statements, params: dict) -> int:
    """Execute ``statements`` and fetch every row; returns the number of rows read."""
    rows = 0
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, params)
            if cursor.description is not None:
                rows += len(cursor.fetchall())
    return rows
