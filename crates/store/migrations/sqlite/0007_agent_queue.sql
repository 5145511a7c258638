-- An agent's own queue (assigned_to_me) without a scan of every case.
CREATE INDEX cases_agent ON cases (assigned_agent, id) WHERE assigned_agent IS NOT NULL;
