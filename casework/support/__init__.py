"""Support around a case (issue 15): restorative justice, Victim Personal Statements, the
hardship fund, young people's group sessions, volunteers and complaints."""
