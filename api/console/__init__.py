"""The web console served by `attendance serve`: server-rendered pages
(Jinja2) over the same service layer as the API, every asset served locally."""
