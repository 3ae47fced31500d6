"""Read and check: a school's data folder turned into validated models, with every problem located.

``yaml_source`` reads YAML keeping each value's line; ``models`` is the data model and its checks;
``problems`` and ``suggest`` word problems for a transition lead; ``loader`` reads a whole data
folder into a ``Cohort``; ``schema`` writes the JSON Schemas editors use; ``starter`` writes the
commented file that ``new`` makes.
"""
