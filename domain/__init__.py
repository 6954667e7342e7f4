"""The employee ledger's pure domain: the event vocabulary, the Employee
aggregate, working calendars and policy rulebooks."""
