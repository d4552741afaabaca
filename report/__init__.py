"""The planner's report: one self-contained HTML file from a run or a comparison."""
