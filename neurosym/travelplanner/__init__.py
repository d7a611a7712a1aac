"""TravelPlanner benchmark data layer (placeholder, rewritten below)."""
