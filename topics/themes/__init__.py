"""Theme labelling: themes files and their profiles, the term lexicon, scoring, the learner, the background corpus,
the keyword baseline, the evaluation against labelled papers and topic labels."""
