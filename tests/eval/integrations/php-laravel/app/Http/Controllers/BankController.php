<?php

namespace App\Http\Controllers;

use App\Models\BankLink;
use App\Models\Movement;
use App\Services\BelvoService;
use Illuminate\Http\Request;

class BankController extends Controller
{
    public function __construct(private BelvoService $belvo) {}

    public function store(Request $request)
    {
        $link = $this->belvo->createLink(
            $request->input('institution'),
            $request->input('username'),
            $request->input('password'),
            (string) $request->user()->id,
        );
        BankLink::create([
            'belvo_id' => $link['id'],
            'user_id' => $request->user()->id,
            'institution' => $link['institution'],
            'status' => $link['status'],
        ]);
        return response()->json(['id' => $link['id']], 201);
    }

    public function sync(string $linkId)
    {
        $since = now()->subDays(30)->toDateString();
        foreach ($this->belvo->transactions($linkId, $since) as $t) {
            Movement::updateOrCreate(
                ['belvo_id' => $t['id']],
                ['link_id' => $linkId, 'amount' => $t['amount'], 'description' => $t['description'],
                 'value_date' => $t['value_date']],
            );
        }
        return response()->json(['ok' => true]);
    }

    public function destroy(string $linkId)
    {
        $this->belvo->deleteLink($linkId);
        BankLink::where('belvo_id', $linkId)->delete();
        return response()->noContent();
    }

    public function webhook(Request $request)
    {
        if ($request->input('webhook_type') === 'TRANSACTIONS') {
            dispatch(fn () => $this->sync($request->input('link_id')));
        }
        return response()->json(['received' => true]);
    }
}
