"""The operator's deployment: which partner versions this instance runs and what it shows.

- :mod:`~mesaides.web.deployment.file`: the deployment file (``deployment.toml``) the operator writes;
- :mod:`~mesaides.web.deployment.check`: its check against what is installed and what the
  registry allows (asked through :class:`mesaides.registry.Registry`), recorded and locked;
- :mod:`~mesaides.web.deployment.lock`: the lock (``deployment.lock``) the server serves;
- :mod:`~mesaides.web.deployment.swap`: one partner distribution upgraded or rolled back;
- :mod:`~mesaides.web.deployment.cli`: the ``mesaides deployment`` commands;
- :mod:`~mesaides.web.deployment.running`: the running deployment the web application serves.

The registry (``mesaides-registry``) enforces the convention; it never imports this package.
"""
