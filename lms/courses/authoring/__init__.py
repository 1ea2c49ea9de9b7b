"""Authoring in the browser: topics, lesson versions, media uploads, package zips, export."""
