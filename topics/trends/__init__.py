"""Trends: theme and topic shares per period, trend tests, two-period comparisons, venue profiles, topic terms over
time and the terminal summary."""
