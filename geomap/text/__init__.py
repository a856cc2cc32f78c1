"""The text step: raw files and text to articles, with the dates and numbers they state.

The first step of the flow (text -> places -> incidents/routes ->
GeoDataFrames -> map/exports):

* reading: :mod:`~geomap.text.articles` (files, folders and globs to
  :class:`~geomap.records.Article`), helped by :mod:`~geomap.text.files`,
  :mod:`~geomap.text.decoding`, :mod:`~geomap.text.markdown`,
  :mod:`~geomap.text.pages` and :mod:`~geomap.text.metadata`.

The words every part reads by are data, one file a language, in
``geomap/lang/``.  Nothing is imported here: ``import geomap.text.dates``
does not load the readers.
"""
