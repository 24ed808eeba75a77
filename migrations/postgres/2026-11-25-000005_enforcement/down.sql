DROP TABLE enforcement_outcomes; DROP TABLE enforcement_actions;
