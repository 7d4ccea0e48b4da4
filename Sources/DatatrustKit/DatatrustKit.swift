/// DatatrustKit: the encrypted-at-rest datatrust of a Computable-style data market.
public enum DatatrustKit {}
