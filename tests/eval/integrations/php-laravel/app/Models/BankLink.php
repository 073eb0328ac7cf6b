<?php

namespace App\Models;

use Illuminate\Database\Eloquent\Model;

class BankLink extends Model
{
    protected $fillable = ['belvo_id', 'user_id', 'institution', 'status'];
}
