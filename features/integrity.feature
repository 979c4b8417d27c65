@integrity
Feature: Stored events cannot be changed
  Nothing recorded is ever updated or deleted: the database itself refuses.

  Scenario Outline: The database refuses changes to stored events
    Given a ledger holding the example "<example>"
    When someone runs "<sql>" directly on the database
    Then the database refuses it as a change to an immutable event
    And the ledger holds as many events as before

    Examples:
      | example           | sql |
      | fictional-seizure | UPDATE stored_events SET topic = 'forged' |
      | fictional-seizure | DELETE FROM stored_events |
      | fictional-seizure | INSERT INTO stored_events (originator_id, originator_version, topic, state) SELECT originator_id, originator_version, 'forged', state FROM stored_events WHERE true LIMIT 1 ON CONFLICT (originator_id, originator_version) DO UPDATE SET topic = 'forged' |
