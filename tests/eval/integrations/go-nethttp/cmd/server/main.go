package main

import (
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"time"

	_ "github.com/lib/pq"

	"github.com/ledgerly/bankfeed/belvo"
	"github.com/ledgerly/bankfeed/store"
)

type server struct {
	belvo       *belvo.Client
	store       *store.Store
	webhookAuth string
}

type webhook struct {
	WebhookID   string `json:"webhook_id"`
	WebhookType string `json:"webhook_type"`
	WebhookCode string `json:"webhook_code"`
	LinkID      string `json:"link_id"`
}

func (s *server) handleWebhook(w http.ResponseWriter, r *http.Request) {
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(s.webhookAuth)) != 1 {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var hook webhook
	if err := json.NewDecoder(r.Body).Decode(&hook); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	fresh, err := s.store.FirstDelivery(hook.WebhookID)
	if err != nil {
		log.Printf("webhook %s: %v", hook.WebhookID, err)
	}
	w.WriteHeader(http.StatusOK)
	if !fresh {
		return
	}
	go s.process(hook)
}

func (s *server) process(hook webhook) {
	switch {
	case hook.WebhookType == "TRANSACTIONS":
		since := time.Now().AddDate(0, 0, -30).Format("2006-01-02")
		txs, err := s.belvo.Transactions(hook.LinkID, since)
		if err != nil {
			log.Printf("sync %s: %v", hook.LinkID, err)
			return
		}
		if err := s.store.SaveTransactions(hook.LinkID, txs); err != nil {
			log.Printf("save %s: %v", hook.LinkID, err)
		}
	case hook.WebhookType == "LINK" && (hook.WebhookCode == "token_required" || hook.WebhookCode == "invalid_credentials"):
		if err := s.store.SetStatus(hook.LinkID, "reauth_required"); err != nil {
			log.Printf("status %s: %v", hook.LinkID, err)
		}
	}
}

func (s *server) handleCreateLink(w http.ResponseWriter, r *http.Request) {
	var in struct{ UserID, Institution, Username, Password string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	link, err := s.belvo.CreateLink(in.Institution, in.Username, in.Password, in.UserID)
	if err != nil {
		http.Error(w, "bank connection failed", http.StatusBadGateway)
		return
	}
	if err := s.store.SaveLink(in.UserID, link); err != nil {
		log.Printf("save link: %v", err)
	}
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]string{"id": link.ID})
}

func main() {
	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	s := &server{
		belvo:       belvo.New(os.Getenv("BELVO_SECRET_ID"), os.Getenv("BELVO_SECRET_PASSWORD")),
		store:       &store.Store{DB: db},
		webhookAuth: os.Getenv("BELVO_WEBHOOK_AUTH"),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks/belvo", s.handleWebhook)
	mux.HandleFunc("POST /links", s.handleCreateLink)
	log.Fatal(http.ListenAndServe(":8080", mux))
}
