// read URL: the feed at URL as gofeed (what Miniflux uses) reads it, printed as JSON for
// tests/test_clients_go.py. Built in GOPATH mode against Debian's
// golang-github-mmcdole-gofeed-dev (GO111MODULE=off GOPATH=/usr/share/gocode).
package main

import (
	"encoding/json"
	"os"
	"time"

	"github.com/mmcdole/gofeed"
)

type item struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Link       string   `json:"link"`
	Date       *string  `json:"date"`
	Categories []string `json:"categories"`
}

func main() {
	feed, err := gofeed.NewParser().ParseURL(os.Args[1])
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	items := []item{}
	for _, i := range feed.Items {
		when := i.PublishedParsed
		if when == nil {
			when = i.UpdatedParsed
		}
		var date *string
		if when != nil {
			text := when.UTC().Format(time.RFC3339)
			date = &text
		}
		categories := i.Categories
		if categories == nil {
			categories = []string{}
		}
		items = append(items, item{i.GUID, i.Title, i.Link, date, categories})
	}
	json.NewEncoder(os.Stdout).Encode(map[string]interface{}{"format": feed.FeedType, "items": items})
}
