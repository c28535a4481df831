import Engine
print("bench: not yet written")
