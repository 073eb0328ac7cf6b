<?php

use App\Http\Controllers\BankController;
use Illuminate\Support\Facades\Route;

Route::middleware('auth:sanctum')->group(function () {
    Route::post('/bank-links', [BankController::class, 'store']);
    Route::post('/bank-links/{linkId}/sync', [BankController::class, 'sync']);
    Route::delete('/bank-links/{linkId}', [BankController::class, 'destroy']);
});

Route::post('/webhooks/belvo', [BankController::class, 'webhook']);
