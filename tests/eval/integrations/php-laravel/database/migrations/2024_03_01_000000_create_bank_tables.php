<?php

use Illuminate\Database\Migrations\Migration;
use Illuminate\Database\Schema\Blueprint;
use Illuminate\Support\Facades\Schema;

return new class extends Migration {
    public function up(): void
    {
        Schema::create('bank_links', function (Blueprint $table) {
            $table->id();
            $table->uuid('belvo_id')->unique();
            $table->unsignedBigInteger('user_id');
            $table->string('institution');
            $table->string('status');
            $table->timestamps();
        });
        Schema::create('movements', function (Blueprint $table) {
            $table->id();
            $table->uuid('belvo_id')->unique();
            $table->uuid('link_id');
            $table->decimal('amount', 14, 2);
            $table->text('description')->nullable();
            $table->date('value_date');
            $table->timestamps();
        });
    }
};
