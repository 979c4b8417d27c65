@audit
Feature: Auditing where a claim came from
  An auditor traces every claim back to the person who made it, through
  every intermediary, to the document the recorder read, and sees who
  recorded it and when.

  Scenario Outline: An auditor reviews the provenance of the attribution claim
    Given a ledger holding the example "<example>"
    When an auditor asks for the provenance of "<claim>"
    Then every statement behind the claim names its speaker and starts its chain with that speaker
    And the statement "<statement>" reaches the document with the hash "<hash>" through <hops>
    And every statement behind the claim shows the ledger event that recorded it, by whom and its hash

    @seed
    Examples:
      | example     | claim | statement | hash | hops |
      | libya-drone | drone-shot-down-by-air-defenses | townsend-believes-russian-air-defenses-fired | sha256:0e87e477a6052f6def820292a55d9307c1af6c13eeb1a17fa797206acade6622 | told reuters, reported fox-news, contributed associated-press |

    Examples:
      | example           | claim                     | statement          | hash | hops |
      | fictional-seizure | seized-by-navy-or-raiders | agency-attribution | sha256:5500a5a90d588e8b032e1505af7da9c1b127d8765627d82ebbfcf3d9a5067733 | told wire-service, reported daily-paper |
