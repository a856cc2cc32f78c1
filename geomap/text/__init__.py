"""The text step: raw files and text to articles, with the dates and numbers they state.

The first step of the flow (text -> places -> incidents/routes ->
GeoDataFrames -> map/exports):

* reading: :mod:`~geomap.text.articles` (files, folders and globs to
  :class:`~geomap.records.Article`), helped by :mod:`~geomap.text.files`,
  :mod:`~geomap.text.decoding`, :mod:`~geomap.text.markdown`,
  :mod:`~geomap.text.pages` and :mod:`~geomap.text.metadata`.
* dates: :mod:`~geomap.text.dates` (``find_dates``, ``parse_date``), with
  :mod:`~geomap.text.date_forms`, :mod:`~geomap.text.periods`,
  :mod:`~geomap.text.date_patterns`, :mod:`~geomap.text.date_search` and
  :mod:`~geomap.text.days`; a report's own date: :mod:`~geomap.text.publication`.
* numbers: :mod:`~geomap.text.numbers` (``parse_number``) and
  :mod:`~geomap.text.counts` (``find_counts``).
* :mod:`~geomap.text.language` (``detect_language``) and
  :mod:`~geomap.text.sentences` (``split_sentences``, ``fold_text``).

The words every part reads by are data, one file a language, in
``geomap/lang/``.  Nothing is imported here: ``import geomap.text.dates``
does not load the readers.
"""
