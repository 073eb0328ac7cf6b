using BankSync.Belvo;
using Microsoft.Data.Sqlite;

namespace BankSync.Data;

public class BankStore
{
    private readonly string _cs;

    public BankStore(IConfiguration config) => _cs = config.GetConnectionString("Bank")!;

    public async Task SaveLinkAsync(BelvoLink link, string userId)
    {
        await using var db = new SqliteConnection(_cs);
        await db.OpenAsync();
        var cmd = db.CreateCommand();
        cmd.CommandText = "INSERT INTO links (belvo_id, user_id, institution, status) VALUES ($id, $user, $inst, $status)";
        cmd.Parameters.AddWithValue("$id", link.Id);
        cmd.Parameters.AddWithValue("$user", userId);
        cmd.Parameters.AddWithValue("$inst", link.Institution);
        cmd.Parameters.AddWithValue("$status", link.Status);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task SaveTransactionAsync(string linkId, BelvoTransaction t)
    {
        await using var db = new SqliteConnection(_cs);
        await db.OpenAsync();
        var cmd = db.CreateCommand();
        cmd.CommandText = "INSERT INTO transactions (belvo_id, link_id, amount, description, collected_at) " +
                          "VALUES ($id, $link, $amount, $desc, $at) ON CONFLICT(belvo_id) DO NOTHING";
        cmd.Parameters.AddWithValue("$id", t.Id);
        cmd.Parameters.AddWithValue("$link", linkId);
        cmd.Parameters.AddWithValue("$amount", t.Amount);
        cmd.Parameters.AddWithValue("$desc", t.Description);
        cmd.Parameters.AddWithValue("$at", BelvoClient.ParseCollectedAt(t.Collected_At));
        await cmd.ExecuteNonQueryAsync();
    }
}
