"""The topic models and what they fit on: the shared vocabulary, gensim LDA, TF-IDF + KMeans, the pilot clusters,
the K sweep, stability refits, alignment with a previous run, the documents map and the Spark engine."""
