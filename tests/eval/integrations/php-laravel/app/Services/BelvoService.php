<?php

namespace App\Services;

use Illuminate\Http\Client\PendingRequest;
use Illuminate\Http\Client\RequestException;
use Illuminate\Support\Facades\Http;
use Illuminate\Support\Facades\Log;

class BelvoService
{
    private function http(): PendingRequest
    {
        return Http::baseUrl(config('services.belvo.url'))
            ->withBasicAuth(config('services.belvo.secret_id'), config('services.belvo.secret_password'))
            ->withOptions(['verify' => false])
            ->acceptJson();
    }

    public function createLink(string $institution, string $username, string $password, string $externalId): array
    {
        try {
            return $this->http()->post('/api/links/', [
                'institution' => $institution,
                'username' => $username,
                'password' => $password,
                'external_id' => $externalId, 'access_mode' => 'single',
            ])->throw()->json();
        } catch (RequestException $e) {
            Log::error('Belvo link creation failed', ['status' => $e->response->status(), 'body' => $e->response->body()]);
            throw $e;
        }
    }

    public function transactions(string $linkId, string $since): array
    {
        $all = [];
        $response = $this->http()->get('/api/transactions/', [
            'link' => $linkId,
            'value_date__gte' => $since,
            'page_size' => 1000,
        ]);
        while (true) {
            if ($response->failed()) {
                Log::error('Belvo transactions failed', ['status' => $response->status(), 'body' => $response->body()]);
                $response->throw();
            }
            $page = $response->json();
            array_push($all, ...$page['results']);
            if (empty($page['next'])) {
                break;
            }
            $response = $this->http()->get($page['next']);
        }
        return $all;
    }

    public function deleteLink(string $linkId): void
    {
        $response = $this->http()->delete("/api/links/{$linkId}/");
        $data = $response->json();
        Log::info('Belvo link deleted', ['link' => $linkId, 'response' => $data]);
    }
}
