module github.com/conversations-go/conversations/e2e

go 1.25

require (
	github.com/chromedp/chromedp v0.23.0
	github.com/conversations-go/conversations v0.0.0
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/chromedp/cdproto v0.159.0 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/google/go-querystring v1.2.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/time v0.14.0 // indirect
)

replace github.com/conversations-go/conversations => ../
