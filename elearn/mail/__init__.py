"""Outgoing mail: one ``Mailer`` interface, SMTP for production, memory and log for tests and dev.

Services take a ``Mailer`` argument; views and commands get the app's from
``current_mailer()``. In a deployment, mail goes out through the ``mail.send`` job.
"""
