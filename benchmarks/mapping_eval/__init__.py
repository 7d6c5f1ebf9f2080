"""Mapping evaluation: templates nobody here wrote, headers modelled on real exports."""
