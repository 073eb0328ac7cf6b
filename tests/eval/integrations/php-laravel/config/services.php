<?php

return [
    'belvo' => [
        'url' => env('BELVO_URL', 'https://sandbox.belvo.com'),
        'secret_id' => env('BELVO_SECRET_ID'),
        'secret_password' => env('BELVO_SECRET_PASSWORD'),
    ],
];
