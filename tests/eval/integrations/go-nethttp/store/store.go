package store

import (
	"database/sql"
	"time"

	"github.com/ledgerly/bankfeed/belvo"
)

type Store struct{ DB *sql.DB }

const layout = "2006-01-02T15:04:05.000000Z"

func (s *Store) SaveLink(userID string, l *belvo.Link) error {
	_, err := s.DB.Exec(`INSERT INTO links (belvo_id, user_id, institution, institution_user_id, status)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (belvo_id) DO UPDATE SET status = EXCLUDED.status`,
		l.ID, userID, l.Institution, l.InstitutionUserID, l.Status)
	return err
}

func (s *Store) SetStatus(linkID, status string) error {
	_, err := s.DB.Exec(`UPDATE links SET status = $2 WHERE belvo_id = $1`, linkID, status)
	return err
}

func (s *Store) SaveTransactions(linkID string, txs []belvo.Transaction) error {
	for _, t := range txs {
		collected, err := time.Parse(layout, t.CollectedAt)
		if err != nil {
			return err
		}
		if _, err := s.DB.Exec(`INSERT INTO transactions (belvo_id, link_id, amount, description, collected_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (belvo_id) DO NOTHING`,
			t.ID, linkID, t.Amount, t.Description, collected); err != nil {
			return err
		}
	}
	return nil
}

// FirstDelivery records a webhook id and reports whether it was new.
func (s *Store) FirstDelivery(webhookID string) (bool, error) {
	res, err := s.DB.Exec(`INSERT INTO webhook_deliveries (webhook_id) VALUES ($1) ON CONFLICT DO NOTHING`, webhookID)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
