module github.com/conversations-go/conversations

go 1.24
