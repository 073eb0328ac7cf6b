package belvo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"time"
)

const baseURL = "https://sandbox.belvo.com"

type Client struct {
	id, password string
	http         *http.Client
}

func New(id, password string) *Client {
	return &Client{id: id, password: password, http: &http.Client{Timeout: 25 * time.Second}}
}

type APIError struct {
	Status int
	Body   string
}

func (e *APIError) Error() string { return fmt.Sprintf("belvo: status %d: %s", e.Status, e.Body) }

func (c *Client) do(method, url string, body any, out any) error {
	var reader io.Reader
	if body != nil {
		buf, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, url, reader)
	if err != nil {
		return err
	}
	req.SetBasicAuth(c.id, c.password)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		log.Printf("belvo %s %s: %v", method, url, err)
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		log.Printf("belvo %s %s -> %d %s", method, url, resp.StatusCode, raw)
		return &APIError{Status: resp.StatusCode, Body: string(raw)}
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	dec := json.NewDecoder(resp.Body)
	dec.DisallowUnknownFields()
	return dec.Decode(out)
}

type Link struct {
	ID                string `json:"id"`
	Institution       string `json:"institution"`
	AccessMode        string `json:"access_mode"`
	Status            string `json:"status"`
	CreatedAt         string `json:"created_at"`
	ExternalID        string `json:"external_id"`
	InstitutionUserID string `json:"institution_user_id"`
	LastAccessedAt    string `json:"last_accessed_at"`
	CreatedBy         string `json:"created_by"`
	RefreshRate       string `json:"refresh_rate"`
	CredentialsStorage string `json:"credentials_storage"`
	StaleIn           string `json:"stale_in"`
	FetchResources    []string `json:"fetch_resources"`
}

type Transaction struct {
	ID          string  `json:"id"`
	Amount      float64 `json:"amount"`
	Currency    string  `json:"currency"`
	Description string  `json:"description"`
	ValueDate   string  `json:"value_date"`
	CollectedAt string  `json:"collected_at"`
	Type        string  `json:"type"`
}

type page struct {
	Next    *string           `json:"next"`
	Results []json.RawMessage `json:"results"`
}

func (c *Client) CreateLink(institution, username, password, externalID string) (*Link, error) {
	var link Link
	err := c.do("POST", baseURL+"/api/links/", map[string]string{
		"institution": institution, "username": username, "password": password,
		"external_id": externalID, "access_mode": "recurrent",
	}, &link)
	return &link, err
}

func (c *Client) Transactions(linkID, since string) ([]Transaction, error) {
	var all []Transaction
	url := fmt.Sprintf("%s/api/transactions/?link=%s&value_date__gte=%s&page_size=1000", baseURL, linkID, since)
	for url != "" {
		var p page
		req, _ := http.NewRequest("GET", url, nil)
		req.SetBasicAuth(c.id, c.password)
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, &APIError{Status: resp.StatusCode}
		}
		err = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		for _, raw := range p.Results {
			var t Transaction
			if err := json.Unmarshal(raw, &t); err != nil {
				return nil, err
			}
			all = append(all, t)
		}
		url = ""
		if p.Next != nil {
			url = *p.Next
		}
	}
	return all, nil
}

func (c *Client) DeleteLink(id string) error {
	return c.do("DELETE", baseURL+"/api/links/"+id+"/", nil, nil)
}
