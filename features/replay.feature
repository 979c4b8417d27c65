@replay
Feature: Replaying an incident to any date
  Readers ask what had been stated by a date, even when statements are
  known only to the month, and what the ledger itself held at a moment.

  Scenario Outline: What had been stated by a date, partial dates kept honest
    Given a ledger holding the example "<example>"
    When a reader asks for the state as of "<before>"
    Then the statements standing are exactly <early>
    And no statement is undetermined
    When a reader asks for the state as of "<inside>"
    Then the statements standing are exactly <early>
    And the statements <late> are listed apart as undetermined
    When a reader asks for the state as of "<after>"
    Then the statements <late> stand as well
    And no statement is undetermined

    @seed
    Examples:
      | example     | before     | inside     | after      | early | late |
      | libya-drone | 2019-11-30 | 2019-12-10 | 2019-12-31 | officials-report-drone-missing, us-military-september-airstrikes | reuters-africom-gave-no-reason, townsend-believes-russian-air-defenses-fired, karns-assessment-contractors-or-lna, karns-operators-mistook-drone-for-enemy, africom-demands-wreckage, townsend-russia-refusing-to-return-wreckage, townsend-not-buying-it, russia-says-it-does-not-know-where-wreckage-is, gna-official-russian-mercenaries-responsible, reuters-attack-emphasizes-moscows-role, reuters-russian-mercenaries-intervening-for-haftar, contractors-tell-reuters-of-aid-to-lna, russia-denies-using-contractors, russia-says-fighters-abroad-are-volunteers, lna-denies-foreign-backing, townsend-malign-influence-of-russian-mercenaries |

    Examples:
      | example           | before     | inside     | after      | early | late |
      | fictional-seizure | 2021-05-31 | 2021-06-10 | 2021-06-30 | owner-reports-seizure | agency-attribution, owner-demands-release, coastalia-denies, crew-corroborates |

  Scenario Outline: A correction is seen through known-at, before and after it
    Given a ledger holding the example "<example>"
    And a reader notes the moment "before the correction"
    When the recorder corrects the field "stated_at" of "<statement>" to "<corrected>" because "<reason>"
    Then the state known at "before the correction" shows "<statement>" stated "<original>"
    And the current state shows "<statement>" stated "<corrected>"
    And the history shows the correction of "<statement>" from "<original>" to "<corrected>" with the reason "<reason>"

    @seed
    Examples:
      | example     | statement | original | corrected  | reason |
      | libya-drone | karns-assessment-contractors-or-lna | 2019-12 | 2019-12-23 | a wire report dates the statement precisely |

    Examples:
      | example           | statement        | original | corrected  | reason                                   |
      | fictional-seizure | coastalia-denies | 2021-06  | 2021-06-02 | the ministry's bulletin is dated 2 June |
