"""Praxisbeispiele: coordinators, trainers and facilitators share what worked, for every model municipality."""
