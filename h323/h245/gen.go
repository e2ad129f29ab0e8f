package h245

//go:generate go run ../internal/asn1gen -package h245 -primary MULTIMEDIA-SYSTEM-CONTROL -module ../../../shared/asn1/h245.asn -root MULTIMEDIA-SYSTEM-CONTROL.MultimediaSystemControlMessage -root MULTIMEDIA-SYSTEM-CONTROL.DataProtocolCapability -root MULTIMEDIA-SYSTEM-CONTROL.T38FaxProfile -root MULTIMEDIA-SYSTEM-CONTROL.QOSCapability -root MULTIMEDIA-SYSTEM-CONTROL.TransportAddress
