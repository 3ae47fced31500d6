"""Protected publishing: pupils' folders that show nothing without the family's password.

``encrypt`` encrypts a finished folder (pages, pictures, booklets); ``passwords`` makes and keeps
passwords and the secret behind unguessable folder names; ``letters`` writes each family's letter.
"""
