package gentest

//go:generate go run .. -package gentest -primary GEN-TEST -module testdata/gentest.asn -root GEN-TEST.Top
