"""Pure evaluators over an employee's history: triggers, actions, sick pay,
leave and the status document; and, over the whole ledger, the worklist."""
