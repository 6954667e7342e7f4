"""Every console router, for the app factory to include."""

from api.console import audit, employee, pay, policies, recording, reports, signin, worklist

ROUTERS = (signin.router, worklist.router, employee.router, recording.router, audit.router, policies.router,
           reports.router, pay.router)
