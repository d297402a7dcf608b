"""Generated files beside the pages: feeds and calendars."""
