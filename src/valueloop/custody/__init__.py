"""Chain of custody: batches, transformations, genealogy, mass-balance ledger, recycled content.

Modules, each doing one thing:

* :mod:`~valueloop.custody.model` – the validated definitions (sites, batches, transformations,
  ledger scopes), frozen pydantic models with no logic beyond validation;
* :mod:`~valueloop.custody.events` – the shared event envelope;
* :mod:`~valueloop.custody.store` – batches and transformations on
  :class:`valueloop.core.db.Database`, with the element mass balance checked per transformation;
* :mod:`~valueloop.custody.genealogy` – trace back to origin and forward to products
  (``WITH RECURSIVE``);
* :mod:`~valueloop.custody.ledger` – the mass-balance ledger per site, period and characteristic
  (rolling-average percentage and credit methods, carry-over, period close);
* :mod:`~valueloop.custody.recycled_content` – recycled content per batch and the Regulation
  (EU) 2023/1542 Art. 8 and Annex XII checks;
* :mod:`~valueloop.custody.carbon` – carbon footprint per batch along the genealogy.
"""
