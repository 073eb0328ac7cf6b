using BankSync.Belvo;
using BankSync.Data;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddHttpClient<BelvoClient>();
builder.Services.AddSingleton<BankStore>();
var app = builder.Build();

app.MapPost("/links", async (CreateLinkRequest req, BelvoClient belvo, BankStore store) =>
{
    var link = await belvo.CreateLinkAsync(req.Institution, req.Username, req.Password, req.UserId);
    await store.SaveLinkAsync(link, req.UserId);
    return Results.Created($"/links/{link.Id}", new { link.Id });
});

app.MapPost("/links/{id}/sync", async (string id, BelvoClient belvo, BankStore store) =>
{
    var count = 0;
    await foreach (var t in belvo.TransactionsAsync(id))
    {
        await store.SaveTransactionAsync(id, t);
        count++;
    }
    return Results.Ok(new { count });
});

app.MapDelete("/links/{id}", async (string id, BelvoClient belvo) =>
{
    await belvo.DeleteLinkAsync(id);
    return Results.NoContent();
});

app.Run();

public record CreateLinkRequest(string Institution, string Username, string Password, string UserId);
