"""The planner's report: one self-contained HTML file from a run or a comparison (build.py
gathers the content, templates/report.html.j2 lays it out)."""
