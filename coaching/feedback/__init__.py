"""Anonymous upward feedback: reps rate their manager (and say what they think) once
per period, without their name; managers read the figures once three have answered.

How anonymity holds, surface by surface:

- tables: an answer (FeedbackSubmission and its FeedbackRating rows) has no author and
  no time, and random keys; "has answered" (FeedbackAnswered) is the one per-person
  row, and names no answer;
- pages and API: results are aggregates and free text alone (random order), under the
  threshold of coaching.feedback.selectors; a figure that would reveal a smaller group
  by subtraction (a division's total beside its managers') is withheld;
- admin: answers and markers are not registered (see admin.py);
- logs and notifications: nothing is logged about an answer, SQL is never logged
  (settings), the thank-you message names nothing, and the manager hears "ready" from
  the daily job, never at the moment of an answer.

Known residual risks (accepted, documented):

- a database superuser (not any page, API, admin or log) could pair a FeedbackAnswered
  row with its submission: on PostgreSQL both rows carry the same transaction id (xmin)
  and the write-ahead log records them together; on any database the physical row
  order (ctid, SQLite's rowid) of both tables follows the order of answers; statement
  logging on the database server (log_statement) would do the same;
- a manager who reloads the results after every answer of an open period, past the
  threshold, sees how each new answer moved the averages and which comment is new,
  and may guess who was at their desk at that moment. Showing an open period only in
  steps of three, or only once it closes, would close this; the issue asks for the
  figures from the third answer on, so it is left as it is.
"""
