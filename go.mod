module github.com/conversations-go/conversations

go 1.24.0

require (
	github.com/google/go-querystring v1.2.0
	golang.org/x/time v0.14.0
)

require (
	github.com/golang-jwt/jwt/v5 v5.3.1
	github.com/jarcoal/httpmock v1.4.2
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
