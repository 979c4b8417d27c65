@import
Feature: Recording what each party said about an incident
  A recorder turns what was said about an incident into statements, and
  anyone can then see the incident's claims, who supports and who denies
  each, the assessments with their hedging, and the demands with their status.

  Scenario Outline: The core statements of an incident give its current state
    Given a new ledger
    And the incident, actors and claims of the example "<example>" are recorded
    When the recorder records the statements <statements> of the example "<example>"
    Then the claim "<claim>" is "<status>"
    And the claim "<claim>" is supported by "<supporter>" and denied by "<denier>"
    And the assessment "<assessment>" keeps the hedging "<hedging>" and holds responsible "<held>"
    And the demand "<demand>" is "open"

    @seed
    Examples: the seed: a drone lost over a capital
      | example     | statements | claim | status | supporter | denier | assessment | hedging | held | demand |
      | libya-drone | officials-report-drone-missing, karns-assessment-contractors-or-lna, africom-demands-wreckage, lna-denies-foreign-backing, contractors-tell-reuters-of-aid-to-lna | russian-contractors-aid-lna | contested | russian-contractor-sources | lna | karns-assessment-contractors-or-lna | assessment concluded | russian-pmcs or lna | africom-demands-wreckage |

    Examples: an incident that is not in the seed
      | example           | statements | claim | status | supporter | denier | assessment | hedging | held | demand |
      | fictional-seizure | owner-reports-seizure, agency-attribution, owner-demands-release, coastalia-denies | seized-by-navy-or-raiders | contested | agency-analyst | coastal-state | agency-attribution | assesses with moderate confidence | coastal-navy or pirate-group | owner-demands-release |

  Scenario Outline: Importing the same file again records nothing new
    Given a ledger holding the example "<example>"
    When the recorder imports the example "<example>" again
    Then the import succeeds and says nothing new was recorded
    And the ledger holds as many events as before

    @seed
    Examples:
      | example     |
      | libya-drone |

    Examples:
      | example           |
      | fictional-seizure |

  Scenario Outline: A bad line is rejected and nothing from the file is written
    Given a new ledger
    When the recorder imports the example "<example>" with line <line> giving "<field>" as "<value>"
    Then the import fails with exit code 1 naming line <line> and the field "<field>"
    And the ledger holds no events

    @seed
    Examples:
      | example     | line | field     | value            |
      | libya-drone | 31 | stated_at | 2019-12-10T10:00 |

    Examples:
      | example           | line | field     | value            |
      | fictional-seizure | 16   | stated_at | 2021-06-10T10:00 |
      | fictional-seizure | 15   | kind      | rumour           |
