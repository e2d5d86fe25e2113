package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jiedao/jiedao/store"
)

func main() {
	ctx := context.Background()
	db, err := store.Open(ctx, os.Args[1])
	if err != nil {
		panic(err)
	}
	for _, q := range os.Args[2:] {
		s := time.Now()
		rows, err := db.Query(ctx, q)
		if err != nil {
			fmt.Println(err)
			continue
		}
		cols, _ := rows.Columns()
		n := 0
		for rows.Next() {
			v := make([]any, len(cols))
			p := make([]any, len(cols))
			for i := range v {
				p[i] = &v[i]
			}
			rows.Scan(p...)
			if n < 30 {
				fmt.Println(v...)
			}
			n++
		}
		rows.Close()
		fmt.Println("--", n, "rows", time.Since(s))
	}
}
