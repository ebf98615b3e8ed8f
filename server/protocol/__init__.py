"""The SPARQL 1.1 Protocol: the /sparql blueprint, content negotiation, the service description, the fast lane and the
response cache."""
