"""The sensors workload: a tumbling-window average per sensor with an alarm threshold."""
