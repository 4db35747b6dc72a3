"""The scale benchmark behind `make bench` (issue 3, "Speed").

It seeds a separate PostgreSQL database with a realistic national-scale dossier table (one million
rows by default, streamed with COPY so seeding takes minutes, not hours) and then measures what an
officer and a busy one-stop desk feel: the worklist page latency and complete lifecycles per second
through the service layer. Run it with `python -m bench --help` from the repository root.
"""
